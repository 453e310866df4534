#!/usr/bin/env bash
# Prints the home of a JDK 25: $JAVA_HOME if it is one, else the first /usr/lib/jvm/*25*.
# Prints nothing (and exits 1) when there is none.
is25() { [ -x "$1/bin/java" ] && "$1/bin/java" -version 2>&1 | head -1 | grep -qE '"25([."]|$)'; }
if [ -n "${JAVA_HOME:-}" ] && is25 "$JAVA_HOME"; then echo "$JAVA_HOME"; exit 0; fi
for home in /usr/lib/jvm/*25*; do
  if is25 "$home"; then echo "$home"; exit 0; fi
done
exit 1
