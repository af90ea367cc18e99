from xl_brm.cli import main

main()
