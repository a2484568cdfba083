#!/usr/bin/perl
# contrib/mikey-capture.pl PORT FILE: keep the MIKEY message a program POSTs,
# without a KMS seeing it. Listens on 127.0.0.1:PORT, returns once it does
# (so the next command may connect at once), then in the background saves the
# body of the first request to FILE and answers "503 captured" (at most 30 s).
# Used by the curl walkthrough (README "Trying it with curl"), because
# `tkms-ue request` sends each message it builds.
use strict;
use warnings;
use IO::Socket::INET;

my ($port, $out) = @ARGV;
die "usage: $0 PORT FILE\n" unless defined $out && $port =~ /^\d+$/;
my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port,
				Listen => 1, ReuseAddr => 1)
	or die "mikey-capture: cannot listen on 127.0.0.1:$port: $!\n";
my $pid = fork;
die "mikey-capture: fork: $!\n" unless defined $pid;
exit 0 if $pid;

open(STDIN, '<', '/dev/null');
open(STDOUT, '>', '/dev/null');
alarm 30;
my $c = $srv->accept or exit 1;
my $len = 0;
while (defined(my $l = <$c>)) {
	$l =~ s/\r?\n$//;
	last if $l eq '';
	$len = $1 if $l =~ /^Content-Length:\s*(\d+)$/i;
	print $c "HTTP/1.1 100 Continue\r\n\r\n" if $l =~ /^Expect:\s*100-continue$/i;
}
die "mikey-capture: body too large\n" if $len > 65536;
my $body = '';
while (length($body) < $len) {
	my $n = read($c, $body, $len - length($body), length($body));
	last unless $n;
}
open(my $f, '>', "$out.tmp") or die "mikey-capture: $out: $!\n";
binmode $f;
print $f $body;
close($f) or die "mikey-capture: $out: $!\n";
rename("$out.tmp", $out) or die "mikey-capture: $out: $!\n";
print $c "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n" .
	"Content-Length: 9\r\nConnection: close\r\n\r\ncaptured\n";
close $c;
