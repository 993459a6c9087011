import sys

from roledoctor.cli import main

sys.exit(main())
