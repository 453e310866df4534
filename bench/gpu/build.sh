#!/usr/bin/env bash
# Builds everything bench/gpu/run.sh needs on a machine without Java or Maven into one folder,
# bench/gpu/build (git-ignored; the device tool carries it): the project's jars and test classes
# with their runtime dependencies (lib/), JUnit's console launcher (console/), a jlinked JDK (jdk/)
# and this machine's OpenCL ICD loader (native/libOpenCL.so.1). Runs here, offline except for the
# console launcher when the local Maven repository lacks it.
set -euo pipefail
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export PATH="$JAVA_HOME/bin:$PATH"
root=$(cd "$(dirname "$0")/../.." && pwd)
build="$root/bench/gpu/build"
cd "$root"

rm -rf "$build"
mkdir -p "$build/lib" "$build/console" "$build/native"

echo "== jars: project modules (tests and bench), test classes and dependencies"
# JUnit's own jars are left out: the console launcher bundles the same platform and Jupiter engine,
# and two copies of an engine on one class path stop the launcher. JMH is not used by GpuBench.
mvn -B -ntp -o -q -DskipTests -pl tests,bench -am package dependency:copy-dependencies \
    -DincludeScope=test -DoutputDirectory="$build/lib" \
    -DexcludeGroupIds=org.junit.platform,org.junit.jupiter,org.junit.vintage,org.opentest4j,org.apiguardian \
    -DexcludeArtifactIds=jmh-core,jmh-generator-annprocess,commons-math3,jopt-simple
rm -f "$build"/lib/tessera-tests-*.jar
cp bench/target/tessera-bench-*.jar "$build/lib/"
jar --create --file "$build/lib/tessera-tests-classes.jar" -C tests/target/test-classes .
# The console launcher's package selection finds nothing inside a jar: run.sh selects these classes one by one.
(cd tests/target/test-classes && ls dev/tessera/tests/opencl/*Test.class dev/tessera/tests/ops/OpenClEquivalencePropertiesTest.class \
    dev/tessera/tests/autograd/rules/OpenClGradientTest.class) | sed 's/\.class$//; s|/|.|g' > "$build/test-classes.txt"

echo "== JUnit console launcher"
junit=$(sed -n 's:.*<junit.version>5\.\(.*\)</junit.version>.*:\1:p' pom.xml)
console="org.junit.platform:junit-platform-console-standalone:1.$junit"
mvn -B -ntp -o -q dependency:copy -Dartifact="$console" -DoutputDirectory="$build/console" \
    || mvn -B -ntp -q dependency:copy -Dartifact="$console" -DoutputDirectory="$build/console"
mv "$build"/console/junit-platform-console-standalone-*.jar "$build/console/junit-platform-console-standalone.jar"

echo "== jlinked runtime"
# What the OpenCL tests and GpuBench load, found by running them (run.sh --quick) on this runtime:
# jdeps cannot resolve the modular jars here (jqwik's and LWJGL's need JUnit's and each other's
# modules) and would add java.desktop and java.sql for classes these runs never load.
# java.logging: JUnit and jqwik; java.xml: the launcher's XML reports; jdk.unsupported: LWJGL and
# jqwik use sun.misc.Unsafe.
jlink --add-modules java.base,java.logging,java.xml,jdk.unsupported,jdk.incubator.vector --output "$build/jdk" \
    --strip-debug --no-header-files --no-man-pages --compress=zip-9
# The JVM's symbol table is a sixth of it; without it a crash log names fewer frames.
strip --strip-unneeded "$build/jdk/lib/server/libjvm.so"

echo "== OpenCL ICD loader"
# awk reads to the end: exiting early would kill ldconfig with SIGPIPE and fail the pipe (pipefail).
loader=$(ldconfig -p | awk '/libOpenCL\.so\.1 .*x86-64/ && !found {print $NF; found = 1}')
if [ -z "$loader" ]; then
    echo "no libOpenCL.so.1 on this machine: apt-get install ocl-icd-libopencl1" >&2
    exit 1
fi
cp -L "$loader" "$build/native/libOpenCL.so.1"

# What was built, for the report (the device machine may get the work tree without .git).
echo "built from $(git rev-parse --short HEAD)$([ -n "$(git status --porcelain)" ] && echo ' with uncommitted changes') on $(date -u +%Y-%m-%dT%H:%MZ)" \
    > "$build/commit.txt"
# Class path for run.sh, relative to the build folder.
(cd "$build" && ls lib/*.jar | tr '\n' ':' | sed 's/:$//') > "$build/classpath.txt"
du -sh "$build"/*; du -sh "$build"
size_mib=$(du -sm "$build" | cut -f1)
if [ "$size_mib" -ge 60 ]; then
    echo "bench/gpu/build is $size_mib MiB: over the 60 MiB it must stay under (the carry limit is 64 MiB)" >&2
    exit 1
fi
