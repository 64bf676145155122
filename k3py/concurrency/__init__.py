"""trio helpers that every layer shares: the one bridge to OS threads, fan-out, supervision."""
