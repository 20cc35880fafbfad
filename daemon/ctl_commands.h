// ctl_commands.h: sandboxctl's commands over the D-Bus API (machinectl style).
//
//   sandboxctl [-M NAME] [--json] COMMAND ...
//     create ID BUNDLE | start ID | exec [-t] ID -- CMD... | kill [--all|--pid N] ID SIGNAL
//     ps ID | list | status ID | wait ID PID | pause ID | resume ID | delete ID
//
// -M NAME picks the instance (default "default"); --json prints JSON for
// scripts. `exec` and `wait` exit with the process's status (128+N if
// killed by signal N); other failures exit 1 with the D-Bus error's name.
#pragma once

namespace sb::daemon {

// argv[0] is the first argument after "sandboxctl".
int RunCtlCommand(int argc, char** argv);

}  // namespace sb::daemon
