/** The run's {@code report.md}: its configuration, sizes, speed, losses per kind and sample generations, beside the pictures. */
package dev.tessera.moe.demo.report;
