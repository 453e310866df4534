import dev.tessera.tensor.*;
import dev.tessera.tensor.io.*;
import dev.tessera.autograd.*;
import dev.tessera.nn.*;
import dev.tessera.nn.functional.F;
import dev.tessera.nn.optim.*;
import dev.tessera.nn.checkpoint.*;
import dev.tessera.moe.*;
