"""Qt adapters that run the services on threads of their own and report back with signals."""
