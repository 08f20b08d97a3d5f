"""An output request as a resource: who may see it (visibility), how it reads."""
