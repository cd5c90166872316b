# The human entry points. Each installs what it needs and is safe to run twice.
.PHONY: up down test build install generate bench status

up:
	bash deploy/local/up.sh

down:
	bash deploy/local/down.sh

test:
	bash deploy/local/test.sh

install:
	bash deploy/local/install.sh

build: install
	bash deploy/local/build.sh

generate:
	npx buf generate

status:
	node libs/cli/dist/main.js status

bench: build
	bash loadtest/run.sh
