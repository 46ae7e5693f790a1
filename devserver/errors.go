package devserver

import "errors"

// Sentinel errors of this package.
var (
	// ErrInvalidOptions is wrapped by New's error when Options break a rule. The
	// message never contains an API key.
	ErrInvalidOptions = errors.New("devserver: the options are not valid")
	// ErrNotLoopback is returned by ListenAndServe and Command for an address that is
	// not loopback when remote access was not allowed.
	ErrNotLoopback = errors.New("devserver: refusing to listen on an address that is not loopback (allow it explicitly)")
	// ErrClosed is returned by Serve and ListenAndServe after Close or Shutdown.
	ErrClosed = errors.New("devserver: the server is closed")
)
