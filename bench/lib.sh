# Shared by the bench scripts: compile a module (default ingest) and its test classes, and print their classpath.
module_classpath() {
  local module="${1:-ingest}"
  # One reactor run: sibling modules resolve to their target/classes.
  ./mvnw -q -B -DskipTests -pl "$module" -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
  echo "$module/target/test-classes:$module/target/classes:$(cat "$module/target/bench.classpath")"
}
ingest_classpath() { module_classpath ingest; }
