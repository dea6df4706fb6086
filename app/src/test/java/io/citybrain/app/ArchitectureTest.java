package io.citybrain.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import io.citybrain.settings.Described;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.Function;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.flywaydb.core.api.migration.JavaMigration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;

/**
 * The rules the design and the module READMEs state, checked on the compiled production classes of
 * every module (the launcher depends on all of them): where Paho, JDBC and Flink may appear, which
 * way packages point, one configuration idiom, and no production class kept alive only by tests.
 * Test support ({@code testkit}) is a test library and outside these rules.
 */
class ArchitectureTest {
  private static JavaClasses production;

  @BeforeAll
  static void importClasses() {
    production =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ArchitectureTest::ownMainClasses)
            .importPackages("io.citybrain");
    assertThat(production.contain("io.citybrain.stream.CityJob")).isTrue();
    assertThat(production.contain("io.citybrain.api.CommandApi")).isTrue();
  }

  /** Our modules' compiled classes: not their test jars, not the job jar's shaded copies. */
  private static boolean ownMainClasses(Location location) {
    String where = location.toString();
    return !where.contains("-tests.jar")
        && !where.contains("/test-classes/")
        && !where.contains("citybrain-stream-job.jar")
        && !where.contains("/testkit/")
        && !where.contains("citybrain-testkit");
  }

  @Test
  @DisplayName("Paho appears only in the mqtt module, behind CityBrain's MqttConnection")
  void pahoOnlyInMqtt() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.citybrain.mqtt..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.eclipse.paho..")
        .check(production);
  }

  @Test
  @DisplayName("stream functions and operators touch no java.sql: they run in the test harness")
  void noJdbcInStreamFunctions() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.citybrain.stream.dedup..",
            "io.citybrain.stream.metric..",
            "io.citybrain.stream.liveness..",
            "io.citybrain.stream.alert..",
            "io.citybrain.stream.incident..",
            "io.citybrain.stream.situation..")
        .or()
        .areAssignableTo(Function.class)
        .or()
        .areAssignableTo(StreamOperator.class)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("java.sql..", "javax.sql..", "org.postgresql..")
        .check(production);
  }

  @Test
  @DisplayName(
      "the API's packages import no composition root and no package pair imports each other")
  void apiPackagesPointOneWay() {
    noClasses()
        .that()
        .resideInAPackage("io.citybrain.api.(*)..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.citybrain.api")
        .check(production);
    slices().matching("io.citybrain.api.(*)..").should().beFreeOfCycles().check(production);
  }

  @Test
  @DisplayName("modules point one way: nothing depends on app, the API never on Flink")
  void modulesPointOneWay() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.citybrain.app..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.citybrain.app..")
        .check(production);
    noClasses()
        .that()
        .resideInAPackage("io.citybrain.api..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.apache.flink..", "io.citybrain.stream..", "io.citybrain.ingest..")
        .check(production);
    noClasses()
        .that()
        .resideInAnyPackage("io.citybrain.proto..", "io.citybrain.settings..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.citybrain.seeds..",
            "io.citybrain.mqtt..",
            "io.citybrain.storage..",
            "io.citybrain.ingest..",
            "io.citybrain.stream..",
            "io.citybrain.api..",
            "io.citybrain.simulators..")
        .check(production);
    noClasses()
        .that()
        .resideInAPackage("io.citybrain.seeds..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("picocli..")
        .check(production);
  }

  @Test
  @DisplayName("every configuration is a described value (*Config, *Settings)")
  void configurationsAreDescribed() {
    classes()
        .that()
        .haveSimpleNameEndingWith("Config")
        .or()
        .haveSimpleNameEndingWith("Settings")
        .and()
        .areNotInterfaces()
        .should()
        .implement(Described.class)
        .check(production);
  }

  @Test
  @DisplayName("no production class is kept alive only by tests: each has a caller in src/main")
  void noClassOnlyTestsCall() {
    Set<String> unused = new TreeSet<>();
    for (JavaClass c : production) {
      if (isEntryPoint(c) || c.isAnonymousClass() || c.getSimpleName().equals("package-info")) {
        continue;
      }
      JavaClass top = outermost(c);
      boolean called =
          c.getDirectDependenciesToSelf().stream()
              .map(Dependency::getOriginClass)
              .map(ArchitectureTest::outermost)
              .anyMatch(origin -> !origin.equals(top) && production.contain(origin.getName()));
      boolean nestedOfCalled = !top.equals(c) && !unusedTop(top);
      if (!called && !nestedOfCalled) {
        unused.add(c.getName());
      }
    }
    assertThat(unused)
        .as("production classes without a production caller (move them to test sources)")
        .isEmpty();
  }

  private static boolean unusedTop(JavaClass top) {
    return !isEntryPoint(top)
        && top.getDirectDependenciesToSelf().stream()
            .map(Dependency::getOriginClass)
            .map(ArchitectureTest::outermost)
            .noneMatch(origin -> !origin.equals(top) && production.contain(origin.getName()));
  }

  /** Classes something outside our code starts: main methods, commands, migrations. */
  private static boolean isEntryPoint(JavaClass c) {
    return c.isAnnotatedWith(Command.class)
        || c.isAssignableTo(JavaMigration.class)
        || c.getMethods().stream()
            .anyMatch(
                m ->
                    m.getName().equals("main")
                        && m.getModifiers().contains(JavaModifier.STATIC)
                        && m.getRawParameterTypes().size() == 1);
  }

  private static JavaClass outermost(JavaClass c) {
    JavaClass top = c;
    while (top.getEnclosingClass().isPresent()) {
      top = top.getEnclosingClass().get();
    }
    return top;
  }
}
