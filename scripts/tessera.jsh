import dev.tessera.tensor.*;
import dev.tessera.tensor.io.*;
import dev.tessera.autograd.*;
