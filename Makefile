# Tessera's front door. Every target finds a JDK 25 itself (the machine's default java may be older).
JDK := $(shell scripts/jdk25.sh)
ifeq ($(JDK),)
$(error Tessera needs JDK 25: set JAVA_HOME to one, or install one under /usr/lib/jvm (e.g. Temurin 25))
endif
export JAVA_HOME := $(JDK)
JAVA := $(JDK)/bin/java
MVN := mvn -B -ntp
JVM_ARGS := --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
# The class path of every module and its dependencies, written by `classpath`.
CLASSPATH = $$(cat tests/target/classpath.txt):$$(cat bench/target/classpath.txt):$(CURDIR)/bench/target/classes

.PHONY: test opencl-packages shell bench bench-peers bench-demo peer-packages demo classpath clean

## The whole test suite (tests/): unit tests, jqwik properties, backend equivalence (cpu and OpenCL).
test: opencl-packages
	$(MVN) test

# The OpenCL tests run on PoCL (OpenCL on the CPU) where no GPU driver is installed; apt-get runs
# only when a package is missing, through sudo only when not root.
OPENCL_PACKAGES := ocl-icd-libopencl1 pocl-opencl-icd
opencl-packages:
	@missing=$$(for p in $(OPENCL_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	    echo "installing:" $$missing; \
	    $$sudo apt-get update -q && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

## jshell with every module on the class path and the public packages imported.
shell: classpath
	$(JDK)/bin/jshell -R--add-modules=jdk.incubator.vector -R--enable-native-access=ALL-UNNAMED \
	    --add-modules jdk.incubator.vector --class-path "$(CLASSPATH)" \
	    --startup DEFAULT --startup scripts/tessera.jsh

## JMH benchmarks: BENCH=regex picks some (make bench BENCH=UnaryBench), JMH_ARGS passes JMH flags.
bench: classpath
	$(JAVA) $(JVM_ARGS) -cp "$(CLASSPATH)" org.openjdk.jmh.Main $(BENCH) $(JMH_ARGS)

## Tessera side by side with PyTorch and NumPy, interleaved in one run (bench/peers/peers.py):
## replaces its section of bench/RESULTS.md and draws bench/attention_memory.png (about 10 minutes).
## PEERS_ARGS=--quick runs a short smoke test that prints the section instead.
bench-peers: classpath peer-packages
	/usr/bin/python3 bench/peers/peers.py --java $(JAVA) --classpath "$(CLASSPATH)" $(PEERS_ARGS)

## Training tokens/s of the demo's model in Tessera and in PyTorch, interleaved in one run
## (bench/peers/demo_throughput.py): replaces its section of bench/RESULTS.md (about 2 minutes).
## DEMO_BENCH_ARGS=--print prints the section instead.
bench-demo: classpath peer-packages
	/usr/bin/python3 bench/peers/demo_throughput.py --java $(JAVA) --classpath "$(CLASSPATH)" $(DEMO_BENCH_ARGS)

# Debian's peers, tcmalloc for them (page faults are expensive here) and OpenBLAS for their matmuls;
# apt-get runs only when one is missing, through sudo only when not root.
PEER_PACKAGES := python3-torch python3-numpy python3-matplotlib libtcmalloc-minimal4 libopenblas0-pthread
peer-packages:
	@missing=$$(for p in $(PEER_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	    echo "installing:" $$missing; \
	    $$sudo apt-get update -q && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

## Trains the small DeepSeek-style MoE on the generated corpus (about 5 minutes on 2 cores) and writes
## runs/<timestamp>/: report.md, loss.png, experts.png, load.png, checkpoints. DEMO_ARGS adds train flags.
demo:
	$(MVN) -q compile dependency:build-classpath -pl moe -am \
	    -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
	$(JAVA) $(JVM_ARGS) -Xmx2g -Djava.awt.headless=true \
	    -cp "$(CURDIR)/moe/target/classes:$$(cat moe/target/classpath.txt)" \
	    dev.tessera.moe.cli.Tessera train --preset small $(DEMO_ARGS)

## Compiles every module and writes each module's class path to <module>/target/classpath.txt.
classpath:
	$(MVN) -q compile dependency:build-classpath -pl tests,bench -am \
	    -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime

clean:
	$(MVN) -q clean
