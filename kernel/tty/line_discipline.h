// line_discipline.h: the terminal line discipline (Linux's N_TTY) as plain
// data: termios, the input queue the replica reads, the output queue the
// master reads, and the processing between them. No locks and no tasks:
// the Terminal (terminal.h) owns one under its mutex and acts on what the
// calls return (signals for the foreground process group, wake-ups).
//
// Data flow of a pseudo-terminal:
//   master write -> ReceiveInput (ICRNL..., ISIG, echo, line editing)
//                -> input queue -> replica read (ReadInput)
//   replica write -> WriteOutput (OPOST, ONLCR...) -> output queue
//                 -> master read (ReadOutput); echoes join the same queue.
//
// Save/load: everything here is plain data (termios, window size, queues,
// column, flags); a checkpoint would copy the fields as they are.
#pragma once

#include <sys/ioctl.h>

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace sb::kernel::tty {

// The kernel's struct termios (36 bytes) and termios2 (44); glibc's struct
// termios has another layout, so we keep our own.
inline constexpr int kNccs = 19;
struct KernelTermios {
  uint32_t c_iflag;
  uint32_t c_oflag;
  uint32_t c_cflag;
  uint32_t c_lflag;
  uint8_t c_line;
  uint8_t c_cc[kNccs];
};
static_assert(sizeof(KernelTermios) == 36);
struct KernelTermios2 {
  KernelTermios t;
  uint32_t c_ispeed;
  uint32_t c_ospeed;
};
static_assert(sizeof(KernelTermios2) == 44);

// Linux's tty_std_termios for a new pseudo-terminal replica.
KernelTermios DefaultTermios();

// The most the input queue holds (Linux's N_TTY_BUF_SIZE).
inline constexpr size_t kInputCapacity = 4096;
// The most replica writes may leave unread in the output queue.
inline constexpr size_t kOutputCapacity = 65536;

class LineDiscipline {
 public:
  LineDiscipline();

  const KernelTermios& termios() const { return termios_; }
  // TCSETS*: takes new settings; switching ICANON moves pending input as
  // Linux does (raw -> canonical: what is buffered becomes one line;
  // canonical -> raw: every byte, the line being edited too, is readable).
  void SetTermios(const KernelTermios& t);
  const struct winsize& window_size() const { return winsize_; }
  void set_window_size(const struct winsize& ws) { winsize_ = ws; }

  // Input from the master. Consumes bytes of `data` until the input queue
  // is full; returns how many. Signals raised by ISIG characters are
  // appended to `signals` (in order); the caller sends them to the
  // foreground process group.
  size_t ReceiveInput(const uint8_t* data, size_t n, std::vector<int>* signals);
  // Room for more input (for the master's POLLOUT and EAGAIN).
  bool InputFull() const;

  // Replica reads. Canonical mode: up to one line (an end-of-file mark
  // reads as 0 bytes, `*eof` set). Raw mode: up to `max` of what is there.
  size_t ReadInput(uint8_t* dst, size_t max, bool* eof);
  // Bytes a read could return now: whole lines in canonical mode
  // (FIONREAD/TIOCINQ).
  size_t InputAvailable() const;
  // Whether a line or end-of-file is ready (canonical mode).
  bool HasLine() const { return !lines_.empty(); }
  size_t raw_size() const { return raw_.size(); }
  bool canonical() const;

  // Replica writes: processes and queues up to the room left; returns how
  // many bytes of `data` were taken (0 when full).
  size_t WriteOutput(const uint8_t* data, size_t n);
  bool OutputFull() const { return out_.size() >= kOutputCapacity; }
  // Master reads.
  size_t ReadOutput(uint8_t* dst, size_t max);
  size_t OutputAvailable() const { return out_.size(); }

  // TCFLSH and ISIG's flush.
  void FlushInput();
  void FlushOutput() { out_.clear(); }

  // Output stopped by VSTOP / TCOOFF (replica writes wait).
  bool stopped() const { return stopped_; }
  void set_stopped(bool s) { stopped_ = s; }

 private:
  bool L(uint32_t f) const { return termios_.c_lflag & f; }
  bool I(uint32_t f) const { return termios_.c_iflag & f; }
  bool O(uint32_t f) const { return termios_.c_oflag & f; }
  uint8_t cc(int i) const { return termios_.c_cc[i]; }
  size_t InputSize() const;
  // Output processing of one byte into the output queue (Linux's
  // do_output_char).
  void OutputChar(uint8_t c);
  // Echoes: `c` as is through output processing, or as ^X (ECHOCTL).
  void EchoChar(uint8_t c);
  void EchoRaw(uint8_t c) { OutputChar(c); }
  void EchoErase(uint8_t erased);
  // ERASE, WERASE, KILL (Linux's eraser()).
  void Erase(uint8_t c);
  void PushLine(bool eof);

  KernelTermios termios_;
  struct winsize winsize_ = {};
  // Canonical mode: finished lines (an empty one is an end-of-file mark)
  // and the line being edited. Raw mode: the readable bytes.
  std::deque<std::string> lines_;
  std::string line_;
  std::string raw_;
  bool lnext_ = false;  // the last input was VLNEXT
  std::string out_;     // for the master
  size_t column_ = 0;   // output column (tabs, ONOCR, erase)
  bool stopped_ = false;
};

}  // namespace sb::kernel::tty
