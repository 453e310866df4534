# Tessera's front door. Every target finds a JDK 25 itself (the machine's default java may be older).
JDK := $(shell scripts/jdk25.sh)
ifeq ($(JDK),)
$(error Tessera needs JDK 25: set JAVA_HOME to one, or install one under /usr/lib/jvm (e.g. Temurin 25))
endif
export JAVA_HOME := $(JDK)
JAVA := $(JDK)/bin/java
MVN := mvn -B -ntp
JVM_ARGS := --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
CLASSPATH_FILE := target/classpath.txt

.PHONY: build test shell bench demo clean

build:
	$(MVN) -q -DskipTests install

## The whole test suite (tests/): unit tests, jqwik properties, backend equivalence.
test:
	$(MVN) install

## jshell with every module on the class path and the public packages imported.
shell: build $(CLASSPATH_FILE)
	$(JDK)/bin/jshell -R--add-modules=jdk.incubator.vector -R--enable-native-access=ALL-UNNAMED \
	    --add-modules jdk.incubator.vector --class-path "$$(cat $(CLASSPATH_FILE))" \
	    --startup DEFAULT --startup scripts/tessera.jsh

## JMH benchmarks; pick some with BENCH=regex (e.g. make bench BENCH=Unary), JMH flags with JMH_ARGS.
bench: build $(CLASSPATH_FILE)
	$(JAVA) $(JVM_ARGS) -cp "$$(cat $(CLASSPATH_FILE))" org.openjdk.jmh.Main $(BENCH) $(JMH_ARGS)

demo:
	@echo "make demo arrives with the demo issue (training a small MoE transformer); try make shell meanwhile."

$(CLASSPATH_FILE): pom.xml */pom.xml
	@mkdir -p target
	$(MVN) -q -pl bench,tests dependency:build-classpath -Dmdep.outputFile=$(CURDIR)/target/cp.part -Dmdep.includeScope=test >/dev/null
	@{ cat target/cp.part; for m in tensor autograd nn moe opencl bench; do printf ':%s' "$(CURDIR)/$$m/target/classes"; done; } > $@

clean:
	$(MVN) -q clean
