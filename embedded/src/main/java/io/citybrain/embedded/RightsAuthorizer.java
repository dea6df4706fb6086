package io.citybrain.embedded;

import com.hivemq.extension.sdk.api.auth.PublishAuthorizer;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.PublishPacket;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import io.citybrain.access.Principal;
import io.citybrain.access.TopicRights;

/**
 * Decides every PUBLISH and SUBSCRIBE by {@link TopicRights}, the rule book Mosquitto's ACL is
 * written from. Publishes are refused earlier, without a disconnect, by {@link
 * RefusedPublishFilter}; what reaches the publish authorizer here is a Will message, or anything
 * the filter let through.
 */
final class RightsAuthorizer implements PublishAuthorizer, SubscriptionAuthorizer {
  private final ClientIds clientIds;
  private final Refusals refusals;

  RightsAuthorizer(ClientIds clientIds, Refusals refusals) {
    this.clientIds = clientIds;
    this.refusals = refusals;
  }

  @Override
  public void authorizePublish(PublishAuthorizerInput input, PublishAuthorizerOutput output) {
    Principal principal = clientIds.owner(input.getClientInformation().getClientId());
    PublishPacket publish = input.getPublishPacket();
    String refusal = refusal(principal, publish);
    if (refusal == null) {
      output.authorizeSuccessfully();
    } else {
      refusals.publish(principal, publish.getTopic(), refusal);
      // HiveMQ answers a failed authorization with a PUBACK and then disconnects.
      output.failAuthorization(AckReasonCode.NOT_AUTHORIZED, refusal);
    }
  }

  /** Why the principal may not publish this, or null when it may. */
  static String refusal(Principal principal, PublishPacket publish) {
    String topic = publish.getTopic();
    if (principal == null || !TopicRights.mayPublish(principal, topic)) {
      return "not allowed to publish here";
    }
    if (publish.getRetain() && !TopicRights.mayRetain(principal)) {
      return "not allowed to retain";
    }
    return null;
  }

  @Override
  public void authorizeSubscribe(
      SubscriptionAuthorizerInput input, SubscriptionAuthorizerOutput output) {
    Principal principal = clientIds.owner(input.getClientInformation().getClientId());
    String filter = input.getSubscription().getTopicFilter();
    if (principal == null || !TopicRights.maySubscribe(principal, filter)) {
      refusals.subscribe(principal, filter);
      output.failAuthorization(SubackReasonCode.NOT_AUTHORIZED, "not allowed to subscribe here");
    } else {
      output.authorizeSuccessfully();
    }
  }
}
