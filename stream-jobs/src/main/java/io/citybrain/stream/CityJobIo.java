package io.citybrain.stream;

import io.citybrain.ingest.jdbc.JdbcRegistryLoader;
import io.citybrain.ingest.sink.Ingested;
import io.citybrain.ingest.sink.TelemetrySink;
import io.citybrain.ingest.source.MqttRecord;
import io.citybrain.ingest.source.MqttSource;
import io.citybrain.ingest.validate.RegistryLoader;
import io.citybrain.stream.jdbc.JdbcDeviceTotals;
import io.citybrain.stream.sink.Publication;
import io.citybrain.stream.sink.ResultPublisher;
import io.citybrain.stream.sink.ResultSinks;
import io.citybrain.stream.sink.ResultTables;
import io.citybrain.stream.situation.DeviceTotalsLoader;
import io.citybrain.stream.time.ValidatedLaneTime;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;

/**
 * Everything the city job reads from and writes to outside Flink (the flink-training shape: the job
 * takes its source and sinks, {@code main} wires the real ones, tests pass their own).
 *
 * @param source MQTT telemetry
 * @param registry devices and metric ranges, loaded when validation opens
 * @param deviceTotals devices per district, loaded when the situation operator opens
 * @param rawTelemetry raw rows, dead letters and the accounting
 * @param resultTables metrics, liveness, alerts, incidents, snapshots, the city summary
 * @param publisher every result topic (live snapshots, city summary, alerts, incidents), keyed by
 *     topic
 */
public record CityJobIo(
    Source<MqttRecord, ?, ?> source,
    RegistryLoader registry,
    DeviceTotalsLoader deviceTotals,
    Sink<Ingested> rawTelemetry,
    ResultSinks resultTables,
    Sink<Publication> publisher) {

  /** The real ends: the broker and PostgreSQL this configuration names. */
  public static CityJobIo of(CityJobConfig config) {
    RegistryLoader registry = new JdbcRegistryLoader(config.jdbcUrl());
    return new CityJobIo(
        new MqttSource(config.source(), new ValidatedLaneTime(registry, config.futureLimit())),
        registry,
        new JdbcDeviceTotals(config.jdbcUrl()),
        new TelemetrySink(
            config.jdbcUrl(),
            config.rawBatchSize(),
            config.rawFlushInterval(),
            config.deadLetterRetention()),
        new ResultTables(config.jdbcUrl()),
        new ResultPublisher(
            config.mqttUrl(),
            config.mqttLogin(),
            config.mqttCaCertificate(),
            config.clientIdPrefix()));
  }

  /** The same ends with another raw-telemetry sink (a test's, e.g. one that fails on purpose). */
  public CityJobIo withRawTelemetry(Sink<Ingested> sink) {
    return new CityJobIo(source, registry, deviceTotals, sink, resultTables, publisher);
  }
}
