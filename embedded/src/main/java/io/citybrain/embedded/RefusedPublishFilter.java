package io.citybrain.embedded;

import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.PublishPacket;
import io.citybrain.access.Principal;

/**
 * Refuses a PUBLISH outside the client's rights before HiveMQ's own authorization, which would
 * disconnect it: a QoS 1 publish gets a PUBACK saying NOT_AUTHORIZED and the connection stays, so a
 * client learns it was refused and a gateway's other devices stay online (as on Mosquitto).
 */
final class RefusedPublishFilter implements PublishInboundInterceptor {
  private final ClientIds clientIds;
  private final Refusals refusals;

  RefusedPublishFilter(ClientIds clientIds, Refusals refusals) {
    this.clientIds = clientIds;
    this.refusals = refusals;
  }

  @Override
  public void onInboundPublish(PublishInboundInput input, PublishInboundOutput output) {
    Principal principal = clientIds.owner(input.getClientInformation().getClientId());
    PublishPacket publish = input.getPublishPacket();
    String refusal = RightsAuthorizer.refusal(principal, publish);
    if (refusal != null) {
      refusals.publish(principal, publish.getTopic(), refusal);
      output.preventPublishDelivery(AckReasonCode.NOT_AUTHORIZED, refusal);
    }
  }
}
