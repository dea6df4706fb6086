package io.citybrain.seeds;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads a scenario by id (from seeds/scenarios) or from a YAML file, checked against the city's
 * seeds.
 */
public final class ScenarioLoader {
  /** The scenarios shipped with CityBrain. */
  public static final List<String> SHIPPED =
      List.of("normal_day", "flood", "fire", "crowd_surge", "device_outage");

  private ScenarioLoader() {}

  /** A shipped scenario by id, or a scenario file by path. */
  public static Scenario load(String idOrPath, SeedSource source, CitySeeds seeds) {
    Path path = Path.of(idOrPath);
    if (idOrPath.endsWith(".yaml") && Files.isRegularFile(path)) {
      return load(
          path.getFileName().toString(),
          SeedSource.directory(path.toAbsolutePath().getParent()),
          seeds,
          "");
    }
    if (!idOrPath.matches("[a-z0-9_]+")) {
      throw new IllegalArgumentException(
          "unknown scenario '"
              + idOrPath
              + "' (shipped: "
              + String.join(", ", SHIPPED)
              + "; or the path of a .yaml file)");
    }
    return load(idOrPath + ".yaml", source, seeds, "scenarios/");
  }

  private static Scenario load(String file, SeedSource source, CitySeeds seeds, String folder) {
    SeedProblems problems = new SeedProblems();
    SeedFileReader reader = new SeedFileReader(prefixed(source, folder), problems);
    String name = folder + file;
    JsonNode root = reader.root(file);
    if (root == null
        && folder.equals("scenarios/")
        && !SHIPPED.contains(file.replace(".yaml", ""))) {
      throw new IllegalArgumentException(
          "unknown scenario '"
              + file.replace(".yaml", "")
              + "' (shipped: "
              + String.join(", ", SHIPPED)
              + "; or the path of a .yaml file)");
    }
    Scenario scenario = root == null ? null : reader.bind(name, "(file)", root, Scenario.class);
    problems.throwIfAny();
    validate(name, scenario, seeds, problems);
    problems.throwIfAny();
    return scenario;
  }

  private static void validate(String file, Scenario s, CitySeeds seeds, SeedProblems problems) {
    problems.require(file, "id", s.id());
    if (problems.require(file, "duration_s", s.durationS()) && s.durationS() <= 0) {
      problems.add(file, "duration_s", "must be positive, was " + s.durationS());
    }
    for (int i = 0; i < s.effects().size(); i++) {
      Scenario.Effect e = s.effects().get(i);
      String key = "effects[" + i + "]";
      if (problems.require(file, key + ".district", e.district())) {
        problems.requireKnown(
            file, key + ".district", "district", e.district(), seeds.districtCodes());
      }
      if (problems.require(file, key + ".at_s", e.atS()) && e.atS() < 0) {
        problems.add(file, key + ".at_s", "must not be negative, was " + e.atS());
      }
      if (e.untilS() != null && e.atS() != null && e.untilS() <= e.atS()) {
        problems.add(
            file, key + ".until_s", "must be after at_s (" + e.atS() + "), was " + e.untilS());
      }
      int kinds =
          (e.metric() != null ? 1 : 0)
              + (e.camera() != null ? 1 : 0)
              + (e.outage() != null ? 1 : 0);
      if (kinds != 1) {
        problems.add(
            file, key, "must have exactly one of metric, camera, outage (has " + kinds + ")");
      }
      if (e.metric() != null) {
        problems.requireKnown(
            file,
            key + ".metric",
            "metric",
            e.metric(),
            seeds.metricsById().keySet().stream().toList());
        if ((e.set() == null) == (e.add() == null)) {
          problems.add(file, key, "a metric effect needs exactly one of set, add");
        }
      }
      if (e.camera() != null) {
        problems.requireKnown(
            file,
            key + ".camera",
            "camera event type",
            e.camera(),
            seeds.cameraEventTypes().stream().map(CameraEventType::id).toList());
        share(file, key + ".share", e.share(), problems);
      }
      if (e.outage() != null) {
        share(file, key + ".outage", e.outage(), problems);
      }
      boolean anyArea = e.lat() != null || e.lon() != null || e.radiusM() != null;
      if (anyArea
          && (e.lat() == null || e.lon() == null || e.radiusM() == null || e.radiusM() <= 0)) {
        problems.add(file, key, "an area needs lat, lon and a positive radius_m together");
      }
    }
  }

  private static void share(String file, String key, Double share, SeedProblems problems) {
    if (problems.require(file, key, share) && (share <= 0 || share > 1)) {
      problems.add(file, key, "must be in (0, 1], was " + share);
    }
  }

  private static SeedSource prefixed(SeedSource source, String folder) {
    return new SeedSource() {
      @Override
      public InputStream open(String fileName) throws IOException {
        return source.open(folder + fileName);
      }

      @Override
      public String describe() {
        return source.describe() + (folder.isEmpty() ? "" : "/" + folder);
      }
    };
  }
}
