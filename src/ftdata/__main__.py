from ftdata.cli import main

main()
