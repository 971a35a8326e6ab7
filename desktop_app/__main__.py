from desktop_app.cli.main import main

main()
