// Command mdm2node is the DICOM node that receives CT and MR studies, scores
// the likelihood of MDM2 amplification and returns a DICOM Structured Report.
//
// Each subcommand lives in its own file and registers itself in init with
// register, so that `mdm2node help` lists every command the binary has.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
)

// command is one subcommand of the binary.
type command struct {
	name    string
	summary string
	run     func(args []string) error
}

var commands = map[string]command{}

// register adds a subcommand. It panics on a duplicate name because that is a
// programming error found at start-up.
func register(name, summary string, run func(args []string) error) {
	if _, dup := commands[name]; dup {
		panic("mdm2node: duplicate command " + name)
	}
	commands[name] = command{name: name, summary: summary, run: run}
}

func init() {
	register("help", "list the commands, or show one command's flags: help [COMMAND]", runHelp)
}

func main() {
	if len(os.Args) < 2 {
		printUsage(os.Stderr)
		os.Exit(2)
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "mdm2node: unknown command %q; run 'mdm2node help' for the list\n", os.Args[1])
		os.Exit(2)
	}
	if err := cmd.run(os.Args[2:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintf(os.Stderr, "mdm2node %s: %v\n", cmd.name, err)
		os.Exit(1)
	}
}

func runHelp(args []string) error {
	if len(args) == 1 {
		cmd, ok := commands[args[0]]
		if !ok {
			return fmt.Errorf("unknown command %q", args[0])
		}
		// Flag sets print their usage on standard error; help is asked for,
		// so it goes to standard output like the command list.
		stderr := os.Stderr
		os.Stderr = os.Stdout
		defer func() { os.Stderr = stderr }()
		return cmd.run([]string{"-h"})
	}
	printUsage(os.Stdout)
	return nil
}

func printUsage(w *os.File) {
	fmt.Fprintln(w, "usage: mdm2node COMMAND [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-12s %s\n", name, commands[name].summary)
	}
}
