"""Search: embedders (the contract plugins implement) and, later, keyword and semantic search."""
