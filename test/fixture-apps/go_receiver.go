// A Go webhook receiver on net/http, as its documentation writes handlers (standard library only):
// /webhook reads io.ReadAll(r.Body) and verifies those bytes, the right way;
// /webhook-reserialised decodes into a map and verifies json.Marshal of it, the Go habit;
// /webhook-bare-hex compares the header with the bare hex digest, without "sha256=".
// Usage: go run go_receiver.go SECRET  (prints its port)
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
)

var secret = []byte(os.Args[1])

func digest(payload []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(payload)
	return hex.EncodeToString(mac.Sum(nil))
}

func matches(expected, header string) bool {
	return hmac.Equal([]byte(expected), []byte(header))
}

func reply(w http.ResponseWriter, ok bool) {
	if !ok {
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func main() {
	http.HandleFunc("/webhook", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		ok := matches("sha256="+digest(body), r.Header.Get("X-Webhook-Signature"))
		var event map[string]interface{}
		if ok && json.Unmarshal(body, &event) != nil {
			http.Error(w, "bad json", http.StatusBadRequest)
			return
		}
		reply(w, ok)
	})
	http.HandleFunc("/webhook-reserialised", func(w http.ResponseWriter, r *http.Request) {
		var event map[string]interface{}
		if err := json.NewDecoder(r.Body).Decode(&event); err != nil {
			http.Error(w, "bad json", http.StatusBadRequest)
			return
		}
		payload, _ := json.Marshal(event)
		reply(w, matches("sha256="+digest(payload), r.Header.Get("X-Webhook-Signature")))
	})
	http.HandleFunc("/webhook-bare-hex", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		reply(w, matches(digest(body), r.Header.Get("X-Webhook-Signature")))
	})
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fmt.Println(listener.Addr().(*net.TCPAddr).Port)
	panic(http.Serve(listener, nil))
}
