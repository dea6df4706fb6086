package io.citybrain.access;

import io.citybrain.proto.MessageClass;
import io.citybrain.proto.Topics;
import java.util.ArrayList;
import java.util.List;

/**
 * What each principal may publish and subscribe to: the one rule book the provisioning command
 * writes into Mosquitto's configuration and the embedded broker enforces. Everything not granted is
 * refused.
 *
 * <ul>
 *   <li>a device publishes only its own telemetry and ack topics and subscribes only to its own
 *       command topic;
 *   <li>a gateway publishes telemetry and acks of its district, batches under its own id, and
 *       subscribes to its district's command topics;
 *   <li>only the stream job publishes (and retains) {@code live}, {@code alert}, {@code incident};
 *   <li>only the API publishes {@code cmd}; it reads acks, results and the broker's store figures
 *       ({@link #BROKER_FIGURES});
 *   <li>the observer reads results only; the broker's administrator reads everything (it can
 *       rewrite every right anyway) and owns the dynamic-security control topics.
 * </ul>
 */
public final class TopicRights {
  /** Mosquitto's dynamic-security control topics, for the broker's administrator. */
  public static final String DYNSEC_CONTROL = "$CONTROL/dynamic-security/#";

  /** Mosquitto's $SYS figures of its message store the API reads (its backlog alert). */
  public static final List<String> BROKER_FIGURES =
      List.of("$SYS/broker/store/messages/count", "$SYS/broker/retained messages/count");

  private static final String SHARE = "$share/";
  private static final List<MessageClass> DEVICE_UPSTREAM =
      List.of(MessageClass.READING, MessageClass.CAMERA, MessageClass.HEARTBEAT, MessageClass.ACK);
  private static final List<MessageClass> RESULTS =
      List.of(MessageClass.LIVE, MessageClass.ALERT, MessageClass.INCIDENT);

  private TopicRights() {}

  /** Publish or subscribe. */
  public enum Action {
    PUBLISH,
    SUBSCRIBE
  }

  /** One right: an action on every topic a filter matches. */
  public record Grant(Action action, String filter) {}

  /** Every right of a principal; nothing else is allowed. */
  public static List<Grant> of(Principal p) {
    List<Grant> grants = new ArrayList<>();
    switch (p.kind()) {
      case DEVICE -> {
        for (MessageClass c : DEVICE_UPSTREAM) {
          grants.add(publish(Topics.of(c, p.district(), p.name())));
        }
        grants.add(subscribe(Topics.command(p.district(), p.name())));
      }
      case GATEWAY -> {
        for (MessageClass c : DEVICE_UPSTREAM) {
          grants.add(publish(Topics.filter(c, p.district())));
        }
        grants.add(publish(Topics.batch(p.district(), p.name())));
        grants.add(subscribe(Topics.filter(MessageClass.COMMAND, p.district())));
      }
      case JOB -> {
        for (MessageClass c : MessageClass.TELEMETRY) {
          grants.add(subscribe(Topics.filter(c, Topics.ANY)));
        }
        // city/v1/+/live covers the city summary's city/v1/city/live too.
        for (MessageClass c : RESULTS) {
          grants.add(publish(Topics.filter(c, Topics.ANY)));
        }
      }
      case API -> {
        grants.add(publish(Topics.filter(MessageClass.COMMAND, Topics.ANY)));
        grants.add(subscribe(Topics.filter(MessageClass.ACK, Topics.ANY)));
        for (MessageClass c : RESULTS) {
          grants.add(subscribe(Topics.filter(c, Topics.ANY)));
        }
        // The broker's own figures of what it holds: the API's at-least-once risk alert.
        BROKER_FIGURES.forEach(t -> grants.add(subscribe(t)));
      }
      case OBSERVER -> {
        for (MessageClass c : RESULTS) {
          grants.add(subscribe(Topics.filter(c, Topics.ANY)));
        }
      }
      case BROKER_ADMIN -> {
        grants.add(subscribe(Topics.ROOT + "/#"));
        grants.add(publish(DYNSEC_CONTROL));
        grants.add(subscribe(DYNSEC_CONTROL));
      }
    }
    return List.copyOf(grants);
  }

  /** True when the principal may publish on this topic (a topic name, no wildcards). */
  public static boolean mayPublish(Principal p, String topic) {
    if (topic == null || topic.isEmpty() || topic.contains("+") || topic.contains("#")) {
      return false;
    }
    return of(p).stream().anyMatch(g -> g.action() == Action.PUBLISH && covers(g.filter(), topic));
  }

  /**
   * True when every topic the filter can match is one the principal may read; a shared subscription
   * ({@code $share/group/filter}) is judged by its filter.
   */
  public static boolean maySubscribe(Principal p, String filter) {
    String f = unshared(filter);
    if (f == null || f.isEmpty()) {
      return false;
    }
    return of(p).stream().anyMatch(g -> g.action() == Action.SUBSCRIBE && covers(g.filter(), f));
  }

  /**
   * Only the stream job retains (its latest pictures); a retained command or forged picture is
   * refused.
   */
  public static boolean mayRetain(Principal p) {
    return p.kind() == Principal.Kind.JOB;
  }

  /** The filter of a shared subscription, the filter itself otherwise; null when malformed. */
  static String unshared(String filter) {
    if (filter == null || !filter.startsWith(SHARE)) {
      return filter;
    }
    int slash = filter.indexOf('/', SHARE.length());
    return slash < 0 ? null : filter.substring(slash + 1);
  }

  /**
   * True when every topic matched by {@code inner} (a topic or a filter) is matched by {@code
   * outer}: level by level, {@code #} covers the rest, {@code +} covers any one level but not a
   * {@code #}.
   */
  static boolean covers(String outer, String inner) {
    String[] o = outer.split("/", -1);
    String[] i = inner.split("/", -1);
    for (int k = 0; k < o.length; k++) {
      if (o[k].equals("#")) {
        return true;
      }
      if (k >= i.length) {
        return false;
      }
      if (i[k].equals("#")) {
        return false;
      }
      if (o[k].equals("+")) {
        continue;
      }
      if (!o[k].equals(i[k])) {
        return false;
      }
    }
    return o.length == i.length;
  }

  private static Grant publish(String filter) {
    return new Grant(Action.PUBLISH, filter);
  }

  private static Grant subscribe(String filter) {
    return new Grant(Action.SUBSCRIBE, filter);
  }
}
