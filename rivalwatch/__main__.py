from rivalwatch.cli import main

main()
