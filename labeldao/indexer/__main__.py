from labeldao.indexer.cli import main

main()
