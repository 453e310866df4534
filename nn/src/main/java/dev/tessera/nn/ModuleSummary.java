package dev.tessera.nn;

import dev.tessera.tensor.Shape;
import java.util.Locale;
import java.util.Map;

/**
 * The printable tree of a module, one line per module, per parameter and per buffer:
 * <pre>
 * Net (56 parameters)
 *   fc: Linear(in=4, out=8, bias=true) (40 parameters)
 *     weight [8, 4]
 *     bias [8]
 *   ...
 * total: 56 parameters
 * </pre>
 * Each module's count includes its descendants.
 */
final class ModuleSummary {
    private static final String INDENT = "  ";

    private ModuleSummary() {}

    static String of(Module root) {
        StringBuilder out = new StringBuilder();
        append(out, "", null, root);
        out.append("total: ").append(count(root.parameterCount())).append('\n');
        return out.toString();
    }

    private static void append(StringBuilder out, String indent, String name, Module module) {
        out.append(indent);
        if (name != null) {
            out.append(name).append(": ");
        }
        out.append(module.getClass().getSimpleName());
        String settings = module.describeSettings();
        if (!settings.isEmpty()) {
            out.append('(').append(settings).append(')');
        }
        out.append(" (").append(count(module.parameterCount())).append(")\n");
        for (Map.Entry<String, Parameter> p : module.ownParameters().entrySet()) {
            out.append(indent).append(INDENT).append(p.getKey()).append(' ')
                    .append(Shape.str(p.getValue().value().shape())).append('\n');
        }
        for (Map.Entry<String, Buffer> b : module.ownBuffers().entrySet()) {
            out.append(indent).append(INDENT).append(b.getKey()).append(' ')
                    .append(Shape.str(b.getValue().value().shape())).append(" (buffer)\n");
        }
        for (Map.Entry<String, Module> child : module.children().entrySet()) {
            append(out, indent + INDENT, child.getKey(), child.getValue());
        }
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d parameter%s", n, n == 1 ? "" : "s");
    }
}
