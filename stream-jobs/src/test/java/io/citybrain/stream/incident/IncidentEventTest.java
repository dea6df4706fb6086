package io.citybrain.stream.incident;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IncidentEventTest {

  @Test
  @DisplayName("IncidentEvent, its evidence list and Signal are POJOs with no generic (Kryo) field")
  void pojos() {
    TypeInformation<IncidentEvent> info = TypeInformation.of(IncidentEvent.class);
    assertThat(info).isInstanceOf(PojoTypeInfo.class);
    PojoTypeInfo<IncidentEvent> pojo = (PojoTypeInfo<IncidentEvent>) info;
    for (int i = 0; i < pojo.getArity(); i++) {
      assertThat(pojo.getPojoFieldAt(i).getTypeInformation())
          .as(pojo.getPojoFieldAt(i).getField().getName())
          .isNotInstanceOf(GenericTypeInfo.class);
    }
    TypeInformation<?> evidence = pojo.getTypeAt(pojo.getFieldIndex("evidence"));
    assertThat(evidence).isInstanceOf(ListTypeInfo.class);
    assertThat(((ListTypeInfo<?>) evidence).getElementTypeInfo()).isInstanceOf(PojoTypeInfo.class);
    assertThat(TypeInformation.of(EvidenceItem.class)).isInstanceOf(PojoTypeInfo.class);
    assertThat(TypeInformation.of(Signal.class)).isInstanceOf(PojoTypeInfo.class);
  }

  @Test
  @DisplayName("An incident survives its Flink serializer with generic types disabled")
  void roundTrip() throws Exception {
    IncidentEvent e =
        new IncidentFromMatch(IncidentPatternsTest.pattern("flood"))
            .incident(
                List.of(
                    Signals.alert("DP", 1_000, "rainfall_heavy", "a1"),
                    Signals.camera(
                        "DP", 2_000, "road_flooding", "cam-1", 7, Signals.LAT, Signals.LON)));
    SerializerConfigImpl config = new SerializerConfigImpl();
    config.setGenericTypes(false);
    TypeSerializer<IncidentEvent> serializer =
        TypeInformation.of(IncidentEvent.class).createSerializer(config);
    DataOutputSerializer out = new DataOutputSerializer(256);
    serializer.serialize(e, out);
    IncidentEvent back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    assertThat(back).isEqualTo(e);
    assertThat(back.evidence).hasSize(2);
    assertThat(back.alertIds).containsExactly("a1");
  }
}
