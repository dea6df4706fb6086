package io.citybrain.embedded;

import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.packets.auth.DefaultAuthorizationBehaviour;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import io.citybrain.access.Principal;
import io.citybrain.access.PrincipalDirectory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Lets a client in only with a registered principal's username and password, and only with a client
 * id no other principal holds; anonymous clients are refused.
 */
final class LoginAuthenticator implements SimpleAuthenticator {
  private final PrincipalDirectory directory;
  private final ClientIds clientIds;
  private final Refusals refusals;

  LoginAuthenticator(PrincipalDirectory directory, ClientIds clientIds, Refusals refusals) {
    this.directory = directory;
    this.clientIds = clientIds;
    this.refusals = refusals;
  }

  @Override
  public void onConnect(SimpleAuthInput input, SimpleAuthOutput output) {
    ConnectPacket connect = input.getConnectPacket();
    String clientId = input.getClientInformation().getClientId();
    Optional<String> username = connect.getUserName();
    Optional<ByteBuffer> password = connect.getPassword();
    if (username.isEmpty() || password.isEmpty()) {
      refusals.anonymous(clientId);
      output.failAuthentication(
          ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "a username and password are required");
      return;
    }
    Optional<Principal> principal = directory.authenticate(username.get(), utf8(password.get()));
    if (principal.isEmpty()) {
      refusals.badLogin(username.get());
      output.failAuthentication(
          ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "bad username or password");
      return;
    }
    if (!clientIds.claim(clientId, principal.get())) {
      refusals.clientIdTaken(principal.get(), clientId);
      output.failAuthentication(
          ConnackReasonCode.NOT_AUTHORIZED, "client id is held by another principal");
      return;
    }
    // The authorizer decides every PUBLISH and SUBSCRIBE; should it ever pass one on, deny.
    output.getDefaultPermissions().setDefaultBehaviour(DefaultAuthorizationBehaviour.DENY);
    output.authenticateSuccessfully();
  }

  private static String utf8(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
