package io.citybrain.embedded;

import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import io.citybrain.access.PrincipalDirectory;

/**
 * The embedded broker's access control, loaded in-process: an authenticator against a {@link
 * PrincipalDirectory}, an authorizer by the principals' topic rights, and a filter that refuses a
 * forbidden publish without dropping the connection.
 */
final class AccessExtension implements ExtensionMain {
  private final PrincipalDirectory directory;

  AccessExtension(PrincipalDirectory directory) {
    this.directory = directory;
  }

  @Override
  public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
    ClientIds clientIds = new ClientIds();
    Refusals refusals = new Refusals();
    LoginAuthenticator authenticator = new LoginAuthenticator(directory, clientIds, refusals);
    RightsAuthorizer authorizer = new RightsAuthorizer(clientIds, refusals);
    Services.securityRegistry().setAuthenticatorProvider(provider -> authenticator);
    Services.securityRegistry().setAuthorizerProvider(provider -> authorizer);
    RefusedPublishFilter filter = new RefusedPublishFilter(clientIds, refusals);
    Services.initializerRegistry()
        .setClientInitializer((client, context) -> context.addPublishInboundInterceptor(filter));
  }

  @Override
  public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
    // Nothing to release: the registries go with the broker.
  }
}
