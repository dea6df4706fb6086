# Shared by the bench scripts: compile the ingest module and its test classes, and print their classpath.
ingest_classpath() {
  # One reactor run: sibling modules resolve to their target/classes.
  ./mvnw -q -B -DskipTests -pl ingest -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
  echo "ingest/target/test-classes:ingest/target/classes:$(cat ingest/target/bench.classpath)"
}
