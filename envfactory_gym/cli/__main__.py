import sys
from envfactory_gym.cli import main
sys.exit(main())
