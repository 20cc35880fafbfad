// line_discipline.cc: N_TTY's input and output processing, written from
// termios(3) and the observed behaviour of Linux ptys.
#include "kernel/tty/line_discipline.h"

#include <signal.h>
#include <termios.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace sb::kernel::tty {
namespace {

bool IsControl(uint8_t c) { return c < 0x20 || c == 0x7f; }
bool IsWordChar(uint8_t c) { return std::isalnum(c) || c == '_'; }

}  // namespace

KernelTermios DefaultTermios() {
  KernelTermios t = {};
  t.c_iflag = ICRNL | IXON;
  t.c_oflag = OPOST | ONLCR;
  t.c_cflag = B38400 | CS8 | CREAD;
  t.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
  t.c_line = 0;           // N_TTY
  t.c_cc[VINTR] = 003;    // ^C
  t.c_cc[VQUIT] = 034;    // ^backslash
  t.c_cc[VERASE] = 0177;  // ^?
  t.c_cc[VKILL] = 025;    // ^U
  t.c_cc[VEOF] = 004;     // ^D
  t.c_cc[VTIME] = 0;
  t.c_cc[VMIN] = 1;
  t.c_cc[VSWTC] = 0;
  t.c_cc[VSTART] = 021;  // ^Q
  t.c_cc[VSTOP] = 023;   // ^S
  t.c_cc[VSUSP] = 032;   // ^Z
  t.c_cc[VEOL] = 0;
  t.c_cc[VREPRINT] = 022;  // ^R
  t.c_cc[VDISCARD] = 017;  // ^O
  t.c_cc[VWERASE] = 027;   // ^W
  t.c_cc[VLNEXT] = 026;    // ^V
  t.c_cc[VEOL2] = 0;
  return t;
}

LineDiscipline::LineDiscipline() : termios_(DefaultTermios()) {}

bool LineDiscipline::canonical() const { return L(ICANON); }

void LineDiscipline::SetTermios(const KernelTermios& t) {
  const bool was_canon = canonical();
  termios_ = t;
  const bool canon = canonical();
  if (was_canon && !canon) {
    for (const std::string& l : lines_) raw_ += l;
    raw_ += line_;
    lines_.clear();
    line_.clear();
  } else if (!was_canon && canon && !raw_.empty()) {
    lines_.push_back(std::move(raw_));
    raw_.clear();
  }
  if (!I(IXON) && stopped_) stopped_ = false;
}

size_t LineDiscipline::InputSize() const {
  size_t n = raw_.size() + line_.size();
  for (const std::string& l : lines_) n += l.size();
  return n;
}

bool LineDiscipline::InputFull() const { return InputSize() >= kInputCapacity - 1; }

void LineDiscipline::FlushInput() {
  lines_.clear();
  line_.clear();
  raw_.clear();
  lnext_ = false;
}

void LineDiscipline::OutputChar(uint8_t c) {
  if (!O(OPOST)) {
    out_.push_back(static_cast<char>(c));
    return;
  }
  switch (c) {
    case '\n':
      if (O(ONLCR)) {
        out_ += "\r\n";
        column_ = 0;
        return;
      }
      if (O(ONLRET)) column_ = 0;
      break;
    case '\r':
      if (O(ONOCR) && column_ == 0) return;
      if (O(OCRNL)) {
        c = '\n';
        if (O(ONLRET)) column_ = 0;
        break;
      }
      column_ = 0;
      break;
    case '\t': {
      size_t spaces = 8 - (column_ % 8);
      if ((termios_.c_oflag & TABDLY) == XTABS) {
        out_.append(spaces, ' ');
        column_ += spaces;
        return;
      }
      column_ += spaces;
      break;
    }
    case '\b':
      if (column_ > 0) --column_;
      break;
    default:
      if (O(OLCUC)) c = static_cast<uint8_t>(std::toupper(c));
      if (!IsControl(c)) ++column_;
      break;
  }
  out_.push_back(static_cast<char>(c));
}

size_t LineDiscipline::WriteOutput(const uint8_t* data, size_t n) {
  size_t i = 0;
  for (; i < n && !OutputFull(); ++i) OutputChar(data[i]);
  return i;
}

size_t LineDiscipline::ReadOutput(uint8_t* dst, size_t max) {
  size_t k = std::min(max, out_.size());
  std::memcpy(dst, out_.data(), k);
  out_.erase(0, k);
  return k;
}

void LineDiscipline::EchoChar(uint8_t c) {
  if (L(ECHOCTL) && IsControl(c) && c != '\t') {
    out_.push_back('^');
    out_.push_back(static_cast<char>(c ^ 0100));
    column_ += 2;
    return;
  }
  OutputChar(c);
}

void LineDiscipline::EchoErase(uint8_t erased) {
  // A control character echoed as ^X takes two columns.
  int cols = (IsControl(erased) && L(ECHOCTL)) ? 2 : (IsControl(erased) ? 0 : 1);
  if (erased == '\t') cols = 1;
  for (int i = 0; i < cols; ++i) {
    out_ += "\b \b";
    if (column_ > 0) --column_;
  }
}

void LineDiscipline::Erase(uint8_t c) {
  if (line_.empty()) return;
  const bool kill = c == cc(VKILL);
  const bool word = !kill && c == cc(VWERASE) && c != cc(VERASE);
  if (kill) {
    if (!L(ECHO)) {
      line_.clear();
      return;
    }
    if (!L(ECHOK) || !L(ECHOKE) || !L(ECHOE)) {
      line_.clear();
      EchoChar(c);
      if (L(ECHOK)) EchoRaw('\n');
      return;
    }
  }
  bool seen_word = false;
  while (!line_.empty()) {
    uint8_t last = static_cast<uint8_t>(line_.back());
    if (word) {
      if (IsWordChar(last)) {
        seen_word = true;
      } else if (seen_word) {
        break;
      }
    }
    line_.pop_back();
    if (L(ECHO)) {
      if (!kill && !word && !L(ECHOE)) {
        EchoChar(c);
      } else {
        EchoErase(last);
      }
    }
    if (!kill && !word) break;
  }
}

void LineDiscipline::PushLine(bool eof) {
  (void)eof;  // an end-of-file mark is the line as it is, maybe empty
  lines_.push_back(std::move(line_));
  line_.clear();
}

size_t LineDiscipline::ReceiveInput(const uint8_t* data, size_t n, std::vector<int>* signals) {
  size_t i = 0;
  for (; i < n; ++i) {
    if (InputFull()) break;
    uint8_t c = data[i];
    if (lnext_) {
      lnext_ = false;
      if (L(ECHO)) EchoChar(c);
      (canonical() ? line_ : raw_).push_back(static_cast<char>(c));
      continue;
    }
    if (I(ISTRIP)) c &= 0x7f;
    if (I(IUCLC) && L(IEXTEN)) c = static_cast<uint8_t>(std::tolower(c));
    if (c == '\r') {
      if (I(IGNCR)) continue;
      if (I(ICRNL)) c = '\n';
    } else if (c == '\n' && I(INLCR)) {
      c = '\r';
    }
    if (I(IXON)) {
      if (c == cc(VSTOP) && cc(VSTOP) != 0) {
        stopped_ = true;
        continue;
      }
      if (c == cc(VSTART) && cc(VSTART) != 0) {
        stopped_ = false;
        continue;
      }
      if (stopped_ && I(IXANY)) stopped_ = false;
    }
    if (L(ISIG)) {
      int sig = 0;
      if (c == cc(VINTR)) {
        sig = SIGINT;
      } else if (c == cc(VQUIT)) {
        sig = SIGQUIT;
      } else if (c == cc(VSUSP)) {
        sig = SIGTSTP;
      }
      if (sig != 0) {
        if (!L(NOFLSH)) FlushInput();
        stopped_ = false;
        if (L(ECHO)) EchoChar(c);
        signals->push_back(sig);
        continue;
      }
    }
    if (canonical()) {
      if (c == cc(VERASE) || c == cc(VKILL) || (c == cc(VWERASE) && L(IEXTEN))) {
        Erase(c);
        continue;
      }
      if (c == cc(VLNEXT) && L(IEXTEN)) {
        lnext_ = true;
        if (L(ECHO) && L(ECHOCTL)) out_ += "^\b";
        continue;
      }
      if (c == cc(VREPRINT) && L(IEXTEN) && L(ECHO)) {
        EchoChar(c);
        EchoRaw('\n');
        for (char ch : line_) EchoChar(static_cast<uint8_t>(ch));
        continue;
      }
      if (c == '\n') {
        if (L(ECHO) || L(ECHONL)) EchoRaw('\n');
        line_.push_back('\n');
        PushLine(false);
        continue;
      }
      if (c == cc(VEOF)) {
        PushLine(true);
        continue;
      }
      if (c == cc(VEOL) || (c == cc(VEOL2) && L(IEXTEN))) {
        if (L(ECHO)) EchoChar(c);
        line_.push_back(static_cast<char>(c));
        PushLine(false);
        continue;
      }
      if (L(ECHO)) EchoChar(c);
      line_.push_back(static_cast<char>(c));
      continue;
    }
    if (L(ECHO)) EchoChar(c);  // even '\n', as ^J with ECHOCTL
    raw_.push_back(static_cast<char>(c));
  }
  return i;
}

size_t LineDiscipline::InputAvailable() const {
  if (!canonical()) return raw_.size();
  size_t n = 0;
  for (const std::string& l : lines_) n += l.size();
  return n;
}

size_t LineDiscipline::ReadInput(uint8_t* dst, size_t max, bool* eof) {
  *eof = false;
  if (!canonical()) {
    size_t k = std::min(max, raw_.size());
    std::memcpy(dst, raw_.data(), k);
    raw_.erase(0, k);
    return k;
  }
  if (lines_.empty()) return 0;
  std::string& l = lines_.front();
  if (l.empty()) {
    lines_.pop_front();
    *eof = true;
    return 0;
  }
  size_t k = std::min(max, l.size());
  std::memcpy(dst, l.data(), k);
  l.erase(0, k);
  if (l.empty()) lines_.pop_front();
  return k;
}

}  // namespace sb::kernel::tty
