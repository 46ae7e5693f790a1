package cachekit

import (
	"errors"
	"fmt"

	"github.com/cachekit-io/cachekit-go/protocol/codec"
	"github.com/cachekit-io/cachekit-go/protocol/encryption"
	"github.com/cachekit-io/cachekit-go/protocol/envelope"
)

// The value pipeline. Writes: value -> MessagePack -> (envelope) -> (AES-GCM) -> stored
// bytes. Reads run it backwards. The L1 holds the stored bytes, so an encrypting
// client's L1 holds only ciphertext.

// encode turns value into the bytes to store for key.
func (c *Client) encode(op, key string, value any, encrypt bool) ([]byte, error) {
	data, err := codec.Marshal(value)
	if err != nil {
		return nil, c.fail(newError(KindSerialization, op, key, err))
	}
	if len(data) > c.maxPayload {
		return nil, c.fail(errorf(KindPayloadTooLarge, op, key,
			"the encoded value is %d bytes; the limit is %d", len(data), c.maxPayload))
	}
	if c.container == ContainerEnvelope {
		if data, err = envelope.Store(data, envelope.FormatMsgpack); err != nil {
			return nil, c.fail(newError(KindSerialization, op, key, err))
		}
	}
	if encrypt {
		if data, err = c.keyring.Seal(data, c.aad(key)); err != nil {
			return nil, c.fail(newError(KindEncryption, op, key, err))
		}
	}
	return data, nil
}

// aad binds a sealed value to the tenant, the full storage key and the container:
// compressed is True exactly in envelope mode.
func (c *Client) aad(key string) []byte {
	return encryption.AAD(c.keyring.Tenant(), c.storageKey(key), encryption.FormatMsgpack,
		c.container == ContainerEnvelope)
}

// unwrap turns stored bytes into the MessagePack document they carry: it decrypts
// (when encrypt) and opens the envelope (in envelope mode). The result may alias stored.
func (c *Client) unwrap(op, key string, stored []byte, encrypt bool) ([]byte, error) {
	data := stored
	if encrypt {
		plain, keyIndex, err := c.keyring.Open(stored, c.aad(key))
		if err != nil {
			return nil, c.fail(newError(KindEncryption, op, key, fmt.Errorf(
				"the stored bytes did not decrypt (written without encryption, under another key or tenant, or altered): %w", err)))
		}
		if keyIndex > 0 {
			c.stats.previousKeyReads.Add(1)
		}
		data = plain
	} else if err := envelope.RefusePythonFrame(stored); err != nil {
		return nil, c.fail(newError(KindSerialization, op, key, fmt.Errorf("found a cachekit-py CK frame, which cachekit-go never decodes: %w", err)))
	}
	if c.container == ContainerEnvelope {
		payload, format, err := envelope.Retrieve(data)
		if err != nil {
			return nil, c.fail(newError(KindSerialization, op, key, describeNonEnvelope(data, err, encrypt)))
		}
		if format != envelope.FormatMsgpack {
			return nil, c.fail(errorf(KindSerialization, op, key, "found a ByteStorage envelope of format %q; only %q is supported", format, envelope.FormatMsgpack))
		}
		data = payload
	}
	return data, nil
}

// decode decodes one MessagePack document into dst. A document that does not decode is
// described by what it looks like, so a reader configured for the wrong container, or a
// plain reader of an encrypted entry, learns why.
func (c *Client) decode(op, key string, data []byte, dst any, encrypted bool) error {
	if err := codec.Unmarshal(data, dst); err != nil {
		return c.fail(newError(KindSerialization, op, key, c.describeUndecodable(data, err, encrypted)))
	}
	return nil
}

var (
	errFoundEnvelope = errors.New("found a ByteStorage envelope; configure Container: ContainerEnvelope to read it")
	errFoundPlain    = errors.New("found plain MessagePack, not a ByteStorage envelope; configure Container: ContainerPlain to read it")
)

// describeUndecodable explains why data (the MessagePack a plain pipeline produced)
// did not decode into the caller's type.
func (c *Client) describeUndecodable(data []byte, err error, encrypted bool) error {
	if c.container == ContainerPlain && !encrypted {
		if _, _, envErr := envelope.Retrieve(data); envErr == nil {
			return errFoundEnvelope
		}
		var v any
		if codec.Unmarshal(data, &v) != nil {
			return fmt.Errorf("found bytes that are not one MessagePack document (an entry written by a Secure client reads only through Secure): %w", err)
		}
	}
	return fmt.Errorf("the stored MessagePack does not decode into the requested type: %w", err)
}

// describeNonEnvelope explains why an envelope-mode reader could not open data.
func describeNonEnvelope(data []byte, err error, encrypted bool) error {
	if !encrypted {
		var v any
		if codec.Unmarshal(data, &v) == nil {
			return fmt.Errorf("%w: %w", errFoundPlain, err)
		}
	}
	return fmt.Errorf("the stored bytes are not a valid ByteStorage envelope: %w", err)
}
