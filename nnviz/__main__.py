import sys

from nnviz.app import main

sys.exit(main())
