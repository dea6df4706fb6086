package io.citybrain.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.access.Principal;
import io.citybrain.proto.MessageClass;
import io.citybrain.proto.Topics;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The extension hands a test a broker that delivers and a database that is its own. */
@ExtendWith(CityServicesExtension.class)
class CityServicesExtensionIT {

  @Test
  @DisplayName("a QoS 1 message published to the broker reaches a subscriber")
  void brokerDelivers(TestServices services) throws Exception {
    // A gateway's camera event, read by the broker's administrator: what their rights allow.
    String topic = Topics.of(MessageClass.CAMERA, "FT", services.uniqueId("roundtrip"));
    assertThat(
            MqttRoundTrip.send(
                services.mqttUrl(),
                services.login(Principal.districtGateway("FT")),
                services.login(Principal.brokerAdmin()),
                topic,
                "粤B-12345 parked"))
        .isEqualTo("粤B-12345 parked");
  }

  @Test
  @DisplayName("the database is this class's own: created empty, named for the class")
  void ownDatabase(TestServices services) throws Exception {
    assertThat(services.databaseName()).startsWith("cbt_cityservicesextensionit_");
    try (Connection c = services.dataSource().getConnection();
        Statement st = c.createStatement()) {
      ResultSet rs =
          st.executeQuery(
              "SELECT current_database(), "
                  + "(SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public')");
      rs.next();
      assertThat(rs.getString(1)).isEqualTo(services.databaseName());
      assertThat(rs.getInt(2)).isZero();
      st.execute("CREATE TABLE marker (id int)");
    }
  }

  @Test
  @DisplayName("the same TestServices instance serves every method of a class")
  void samePerClass(TestServices first, TestServices second) {
    assertThat(first).isSameAs(second);
    assertThat(first.describe()).contains(first.databaseName());
  }

  @Test
  @DisplayName("databases of test classes that finished earlier in this JVM were dropped")
  void earlierDatabasesDropped(TestServices services) throws Exception {
    DroppedDatabases.checkEarlierAndRecord(services);
  }
}
