from xl_brm.launch import main

main()
