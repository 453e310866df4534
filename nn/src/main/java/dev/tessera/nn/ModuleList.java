package dev.tessera.nn;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** An ordered list of child modules named 0, 1, 2..., as {@code torch.nn.ModuleList}. */
public final class ModuleList extends Module implements Iterable<Module> {
    private final List<Module> items = new ArrayList<>();

    /** A list holding {@code modules} in order. */
    public ModuleList(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    /** Appends {@code module} under the next index and returns it. */
    public <M extends Module> M add(M module) {
        items.add(register(Integer.toString(items.size()), module));
        return module;
    }

    /** The module at {@code index}. */
    public Module get(int index) {
        if (index < 0 || index >= items.size()) {
            throw new IndexOutOfBoundsException("ModuleList.get: index " + index + " for a list of " + items.size());
        }
        return items.get(index);
    }

    /** The number of modules. */
    public int size() {
        return items.size();
    }

    @Override
    public Iterator<Module> iterator() {
        return List.copyOf(items).iterator();
    }
}
