package io.citybrain.embedded;

import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;

/**
 * Refuses a PUBLISH outside the client's rights before HiveMQ's own authorization, which would
 * disconnect it: a QoS 1 publish gets a PUBACK saying NOT_AUTHORIZED and the connection stays, so a
 * client learns it was refused and a gateway's other devices stay online (as on Mosquitto).
 */
final class RefusedPublishFilter implements PublishInboundInterceptor {
  private final ClientIds clientIds;

  RefusedPublishFilter(ClientIds clientIds) {
    this.clientIds = clientIds;
  }

  @Override
  public void onInboundPublish(PublishInboundInput input, PublishInboundOutput output) {
    String refusal =
        RightsAuthorizer.refusal(
            clientIds.owner(input.getClientInformation().getClientId()), input.getPublishPacket());
    if (refusal != null) {
      output.preventPublishDelivery(AckReasonCode.NOT_AUTHORIZED, refusal);
    }
  }
}
