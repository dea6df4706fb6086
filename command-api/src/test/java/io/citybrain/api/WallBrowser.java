package io.citybrain.api;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium driven through ChromeDriver, both from Debian's packages ({@code chromium},
 * {@code chromium-driver}, installed by .ci/run). Both paths are set explicitly so Selenium Manager
 * never looks for (or downloads) a browser or a driver; a missing binary fails the test with the
 * package to install, it never skips.
 */
public final class WallBrowser implements AutoCloseable {
  static final Path CHROMIUM =
      Path.of(setting("citybrain.chromium", "CITYBRAIN_CHROMIUM", "/usr/bin/chromium"));
  static final Path CHROMEDRIVER =
      Path.of(setting("citybrain.chromedriver", "CITYBRAIN_CHROMEDRIVER", "/usr/bin/chromedriver"));
  private final ChromeDriverService service;
  public final ChromeDriver driver;

  public WallBrowser(int width, int height) throws IOException {
    requireInstalled();
    service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .withLogFile(new File("target/chromedriver.log"))
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // --no-sandbox: CI runs as root in a container; --disable-dev-shm-usage: a small /dev/shm must
    // not crash tabs.
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--disable-extensions",
        "--no-first-run",
        // No connections of Chromium's own: on a closed network they are refused many at a time
        // (machine notes), and a page's requests to the API waited 15-35 s behind them.
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        // A headless window counts as hidden: no throttled timers or backgrounded renderer.
        "--disable-background-timer-throttling",
        "--disable-renderer-backgrounding",
        "--disable-backgrounding-occluded-windows",
        "--window-size=" + width + "," + height);
    try {
      driver = new ChromeDriver(service, options);
    } catch (RuntimeException e) {
      service.stop();
      throw new IllegalStateException(
          "ChromeDriver "
              + CHROMEDRIVER
              + " could not start Chromium "
              + CHROMIUM
              + ": "
              + e.getMessage(),
          e);
    }
    driver.manage().window().setSize(new Dimension(width, height));
  }

  /**
   * Fails (never skips) when the browser or its driver is missing: CI installs both, so a gap there
   * is a bug.
   */
  static void requireInstalled() {
    require(CHROMIUM, "chromium");
    require(CHROMEDRIVER, "chromium-driver");
  }

  private static void require(Path binary, String debianPackage) {
    if (!Files.isExecutable(binary)) {
      throw new AssertionError(
          binary
              + " is missing: the wall's browser test needs Debian's '"
              + debianPackage
              + "' package (apt-get install -y chromium chromium-driver; .ci/run installs both), or set -Dcitybrain."
              + (debianPackage.equals("chromium") ? "chromium" : "chromedriver")
              + " to another binary");
    }
  }

  private static String setting(String property, String env, String fallback) {
    String value = System.getProperty(property);
    if (value == null) {
      value = System.getenv(env);
    }
    return value == null || value.isBlank() ? fallback : value;
  }

  public void open(String url) {
    driver.get(url);
  }

  /** Signs in through the page's form and waits for the live socket to be subscribed. */
  public void login(String user, String password) {
    until(d -> d.findElement(By.id("login-user")).isDisplayed(), Duration.ofSeconds(10));
    driver.findElement(By.id("login-user")).clear();
    driver.findElement(By.id("login-user")).sendKeys(user);
    driver.findElement(By.id("login-password")).clear();
    driver.findElement(By.id("login-password")).sendKeys(password);
    driver.findElement(By.id("login-submit")).click();
    until(
        d -> "open".equals(d.findElement(By.tagName("body")).getDomAttribute("data-live")),
        Duration.ofSeconds(15));
  }

  /**
   * Waits for a condition; a timeout says where the page was and what it had logged, to read in the
   * report.
   */
  public <T> T until(Function<WebDriver, T> condition, Duration timeout) {
    try {
      return new WebDriverWait(driver, timeout, Duration.ofMillis(100))
          .ignoring(StaleElementReferenceException.class)
          .until(condition::apply);
    } catch (TimeoutException e) {
      // innerText through the page: WebDriver's getText left out most panels in CI's reports.
      Object read = driver.executeScript("return document.body.innerText");
      String text = read == null ? "" : read.toString().replaceAll("\\s+", " ");
      throw new AssertionError(
          "timed out after "
              + timeout.toMillis()
              + " ms at "
              + driver.getCurrentUrl()
              + "; page errors "
              + pageErrors()
              + "; API requests finished, last 15: "
              + driver.executeScript(
                  "return performance.getEntriesByType('resource')"
                      + ".filter(e => e.name.includes('/api/v1/')).slice(-15)"
                      + ".map(e => e.name.replace(location.origin, '') + ' ' + Math.round(e.startTime)"
                      + " + '+' + Math.round(e.duration) + 'ms').join(', ')")
              + "; page time "
              + driver.executeScript("return Math.round(performance.now())")
              + " ms; the page reads: "
              + text.substring(0, Math.min(4000, text.length())),
          e);
    }
  }

  /**
   * The element's text, or null; a redraw may replace it between finding and reading, so that is
   * tried again.
   */
  public String text(String css) {
    for (int attempt = 0; ; attempt++) {
      try {
        List<WebElement> found = driver.findElements(By.cssSelector(css));
        return found.isEmpty() ? null : found.get(0).getText();
      } catch (StaleElementReferenceException e) {
        if (attempt == 5) {
          throw e;
        }
      }
    }
  }

  public List<WebElement> all(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  /** Clicks, finding the element again if a redraw replaced it in between. */
  public void click(String css) {
    until(
        d -> {
          d.findElement(By.cssSelector(css)).click();
          return true;
        },
        Duration.ofSeconds(5));
  }

  /** The page's own error list (uncaught errors, rejected promises, failed redraws). */
  @SuppressWarnings("unchecked")
  public List<String> pageErrors() {
    return (List<String>) driver.executeScript("return window.__wallErrors || []");
  }

  public void screenshot(Path to) throws IOException {
    Files.createDirectories(to.getParent());
    Files.write(to, driver.getScreenshotAs(OutputType.BYTES));
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
    }
  }
}
