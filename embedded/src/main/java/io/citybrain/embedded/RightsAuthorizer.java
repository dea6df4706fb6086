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
import io.citybrain.settings.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides every PUBLISH and SUBSCRIBE by {@link TopicRights}, the rule book Mosquitto's ACL is
 * written from. Publishes are refused earlier, without a disconnect, by {@link
 * RefusedPublishFilter}; what reaches the publish authorizer here is a Will message, or anything
 * the filter let through.
 */
final class RightsAuthorizer implements PublishAuthorizer, SubscriptionAuthorizer {
  private static final Logger LOG = LoggerFactory.getLogger(RightsAuthorizer.class);
  private final ClientIds clientIds;

  RightsAuthorizer(ClientIds clientIds) {
    this.clientIds = clientIds;
  }

  @Override
  public void authorizePublish(PublishAuthorizerInput input, PublishAuthorizerOutput output) {
    Principal principal = clientIds.owner(input.getClientInformation().getClientId());
    String refusal = refusal(principal, input.getPublishPacket());
    if (refusal == null) {
      output.authorizeSuccessfully();
    } else {
      // HiveMQ answers a failed authorization with a PUBACK and then disconnects.
      output.failAuthorization(AckReasonCode.NOT_AUTHORIZED, refusal);
    }
  }

  /** Why the principal may not publish this (logged), or null when it may. */
  static String refusal(Principal principal, PublishPacket publish) {
    String topic = publish.getTopic();
    String refusal;
    if (principal == null || !TopicRights.mayPublish(principal, topic)) {
      refusal = "not allowed to publish here";
    } else if (publish.getRetain() && !TopicRights.mayRetain(principal)) {
      refusal = "not allowed to retain";
    } else {
      return null;
    }
    LOG.info("refused a publish by {} on {}: {}", principal, LogText.quote(topic), refusal);
    return refusal;
  }

  @Override
  public void authorizeSubscribe(
      SubscriptionAuthorizerInput input, SubscriptionAuthorizerOutput output) {
    Principal principal = clientIds.owner(input.getClientInformation().getClientId());
    String filter = input.getSubscription().getTopicFilter();
    if (principal == null || !TopicRights.maySubscribe(principal, filter)) {
      LOG.info("refused a subscription by {} to {}", principal, LogText.quote(filter));
      output.failAuthorization(SubackReasonCode.NOT_AUTHORIZED, "not allowed to subscribe here");
    } else {
      output.authorizeSuccessfully();
    }
  }
}
