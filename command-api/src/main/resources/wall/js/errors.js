// Collected before anything else loads, so a failing module is visible to people (the badge) and to WallIT.
// A classic script (not a module), so it runs before the modules are fetched.
window.__wallErrors = [];
window.addEventListener('error', e => window.__wallErrors.push(String(e.message || e)));
window.addEventListener('unhandledrejection', e => window.__wallErrors.push(String(e.reason && e.reason.stack || e.reason)));
// A refused script, style or connection is no 'error' event: count it too, so a too-strict policy is seen.
document.addEventListener('securitypolicyviolation', e =>
  window.__wallErrors.push(`csp: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`));
