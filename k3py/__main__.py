from k3py.cli import main

raise SystemExit(main())
