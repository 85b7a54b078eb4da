#pragma once

// Ctrl-C outside the line editor: a SIGINT handler that only records that it happened, so
// whatever is waiting (the REPL waiting for a computation) can notice it and give up. Nothing
// else is done in signal context.

namespace lamina::cli::repl {

/// Installs the handler (interactive sessions only; a piped session keeps SIGINT's default).
void installInterruptHandler();
/// Whether Ctrl-C was pressed since the last clearInterrupt().
bool interruptPending();
void clearInterrupt();
/// Records an interrupt from outside a signal handler (the line editor's Ctrl-C key).
void raiseInterrupt();

} // namespace lamina::cli::repl
