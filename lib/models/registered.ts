// Importing this registers every built-in composite layer (ResidualBlock,
// BasicBlock, ResNet) with the registry, so that moduleFromSpec can rebuild
// them wherever a spec is read: a model file, the training and inference
// workers. (They register themselves from their own files; the registry
// cannot import them, as they import it.)
import '../nn/residual';
import './resnet';
