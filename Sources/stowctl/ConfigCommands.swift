import ArgumentParser
struct CheckConfig: ParsableCommand { func run() throws {} }
struct ExplainConfig: ParsableCommand { func run() throws {} }
struct Sim: ParsableCommand { func run() throws {} }
