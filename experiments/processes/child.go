package processes

import (
	"bufio"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// Helper is main in a child process a trial started (package helper):
// mode names what it does, on its stdin and stdout. It returns the exit
// status.
func Helper(mode string, args []string) int {
	var err error
	switch mode {
	case "work":
		err = childWork(args)
	case "hash":
		var digest string
		if digest, err = hashStream(os.Stdin); err == nil {
			_, err = fmt.Println(digest)
		}
	case "encrypt":
		w := bufio.NewWriterSize(os.Stdout, 64<<10)
		if err = encryptStream(w, os.Stdin); err == nil {
			err = w.Flush()
		}
	case "hang":
		childHang()
	default:
		err = fmt.Errorf("no helper mode %q", mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "processes:", err)
		return 1
	}
	return 0
}

// childWork writes one byte as soon as it runs (its parent times its
// start by it), then waits or computes as args say: "wait 200ms" or
// "compute 1234" (rounds).
func childWork(args []string) error {
	os.Stdout.Write([]byte{'R'})
	if len(args) != 2 {
		return fmt.Errorf("work takes a kind and an amount, got %q", args)
	}
	switch args[0] {
	case "wait":
		d, err := time.ParseDuration(args[1])
		if err != nil {
			return err
		}
		time.Sleep(d)
	case "compute":
		n, err := strconv.Atoi(args[1])
		if err != nil {
			return err
		}
		compute(n)
	default:
		return fmt.Errorf("no kind of work %q", args[0])
	}
	return nil
}

// childHang is a child that hangs: it ignores SIGTERM, says it is ready
// and never ends on its own (a minute is forever here); only SIGKILL
// ends it.
func childHang() {
	signal.Ignore(syscall.SIGTERM)
	os.Stdout.Write([]byte{'R'})
	time.Sleep(time.Minute)
}

// hashStream returns the hex SHA-256 of everything r holds.
func hashStream(r io.Reader) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// key is the encrypt child's AES key: the lesson is the pipe, not the
// secret.
const key = "concurrency-lab!"

// encryptStream writes r encrypted (AES-128 in counter mode, a zero IV)
// to w.
func encryptStream(w io.Writer, r io.Reader) error {
	block, err := aes.NewCipher([]byte(key))
	if err != nil {
		return err
	}
	s := cipher.StreamWriter{S: cipher.NewCTR(block, make([]byte, aes.BlockSize)), W: w}
	_, err = io.Copy(s, r)
	return err
}
