package main

import (
	"errors"
	"strings"
	"testing"
)

func TestConfig(t *testing.T) {
	const loopback = "http://127.0.0.1:9"
	for _, tc := range []struct {
		name    string
		env     map[string]string
		wantErr bool // from loadConfig or newApp
	}{
		{"dev-server", map[string]string{envDevServerURL: loopback, "CACHEKIT_API_KEY": testAPIKey}, false},
		{"dev-server-localhost", map[string]string{envDevServerURL: "http://localhost:8787", "CACHEKIT_API_KEY": testAPIKey}, false},
		{"no-api-key", map[string]string{envDevServerURL: loopback}, true},
		{"empty-dev-server", map[string]string{envDevServerURL: " ", "CACHEKIT_API_KEY": testAPIKey}, true},
		{"both-urls", map[string]string{envDevServerURL: loopback, "CACHEKIT_API_URL": "https://api.cachekit.io", "CACHEKIT_API_KEY": testAPIKey}, true},
		{"dev-server-not-loopback", map[string]string{envDevServerURL: "http://10.0.0.1:8787", "CACHEKIT_API_KEY": testAPIKey}, true},
		{"dev-server-public-http", map[string]string{envDevServerURL: "http://example.com", "CACHEKIT_API_KEY": testAPIKey}, true},
		{"api-url-plain-http", map[string]string{"CACHEKIT_API_URL": loopback, "CACHEKIT_API_KEY": testAPIKey}, true},
		{"bad-master-key", map[string]string{envDevServerURL: loopback, "CACHEKIT_API_KEY": testAPIKey, "CACHEKIT_MASTER_KEY": "not-hex-" + testMasterKey}, true},
		{"bad-namespace", map[string]string{envDevServerURL: loopback, "CACHEKIT_API_KEY": testAPIKey, "CACHEKIT_NAMESPACE": "bad\x01ns"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			setBindings(t, tc.env)
			cfg, err := loadConfig()
			if err == nil {
				cfg.api.Logger = quietLogger()
				var a *app
				a, err = newApp(cfg)
				if err == nil {
					_ = a.Close()
				}
			}
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want an error: %v", err, tc.wantErr)
			}
			if err == nil {
				return
			}
			if !errors.Is(err, errConfig) {
				t.Errorf("err = %v, want it to wrap errConfig", err)
			}
			for _, secret := range []string{testAPIKey, testMasterKey} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error %q contains a secret", err)
				}
			}
		})
	}
}
