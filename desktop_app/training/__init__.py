"""Fine-tuning captioners on the catalogue's approved captions, and evaluating them (no Qt; torch is
imported inside functions, so importing this package stays cheap)."""
