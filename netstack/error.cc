// netstack/error.cc: names for Error values (for logs and test output).
#include "netstack/error.h"

namespace sb::netstack {

std::string_view ErrorName(Error e) {
  switch (e) {
    case Error::kOk:
      return "ok";
    case Error::kWouldBlock:
      return "would block";
    case Error::kInProgress:
      return "in progress";
    case Error::kAlreadyConnecting:
      return "already connecting";
    case Error::kAlreadyConnected:
      return "already connected";
    case Error::kAlreadyBound:
      return "already bound";
    case Error::kNotConnected:
      return "not connected";
    case Error::kConnectionRefused:
      return "connection refused";
    case Error::kConnectionReset:
      return "connection reset";
    case Error::kConnectionAborted:
      return "connection aborted";
    case Error::kTimedOut:
      return "timed out";
    case Error::kAddressInUse:
      return "address in use";
    case Error::kAddressNotAvailable:
      return "address not available";
    case Error::kNetworkUnreachable:
      return "network unreachable";
    case Error::kHostUnreachable:
      return "host unreachable";
    case Error::kInvalidArgument:
      return "invalid argument";
    case Error::kInvalidEndpointState:
      return "invalid endpoint state";
    case Error::kNotSupported:
      return "not supported";
    case Error::kUnknownOption:
      return "unknown option";
    case Error::kMessageTooLong:
      return "message too long";
    case Error::kDestinationRequired:
      return "destination required";
    case Error::kClosedForSend:
      return "closed for send";
    case Error::kClosedForReceive:
      return "closed for receive";
    case Error::kNoBufferSpace:
      return "no buffer space";
    case Error::kBadAddress:
      return "bad address";
    case Error::kMalformedPacket:
      return "malformed packet";
  }
  return "unknown";
}

}  // namespace sb::netstack
