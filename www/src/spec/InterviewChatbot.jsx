// The reference spec's React example (../shared/websocket-api.md, "Integration with Frontend"), copied
// verbatim. Only the two placeholders are filled in: the WebSocket URL and the interview id, read from
// this page's query string (?interview=ID&token=TOKEN) so a test can point it at a real interview.
// Do not "improve" this file: it exists to prove that a client written to the spec works against us.
const params = new URLSearchParams(window.location.search);
const SPEC_URL = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/v1?token=${encodeURIComponent(params.get('token') || '')}`;
const SPEC_INTERVIEW_ID = params.get('interview') || '';

/* ---- verbatim from the spec below this line (URL and interview id substituted) ---- */
import React, { useEffect, useState } from 'react';

function InterviewChatbot() {
  const [messages, setMessages] = useState([]);
  const [input, setInput] = useState('');
  const [socket, setSocket] = useState(null);

  useEffect(() => {
    // Connect to WebSocket when component mounts
    const ws = new WebSocket(SPEC_URL);
    
    ws.onopen = () => {
      console.log('Connected to WebSocket');
    };
    
    ws.onmessage = (event) => {
      const response = JSON.parse(event.data);
      setMessages(prev => [...prev, { text: response.message, sender: 'bot' }]);
    };
    
    ws.onclose = () => {
      console.log('Disconnected from WebSocket');
    };
    
    setSocket(ws);
    
    // Disconnect when component unmounts
    return () => {
      ws.close();
    };
  }, []);

  const sendMessage = () => {
    if (input.trim() && socket) {
      const message = {
        action: 'message',
        message: input,
        interview_id: SPEC_INTERVIEW_ID // You should get this from your application state
      };
      
      socket.send(JSON.stringify(message));
      setMessages(prev => [...prev, { text: input, sender: 'user' }]);
      setInput('');
    }
  };

  return (
    <div>
      <div className="messages">
        {messages.map((msg, index) => (
          <div key={index} className={`message ${msg.sender}`}>
            {msg.text}
          </div>
        ))}
      </div>
      <div className="input-area">
        <input
          type="text"
          value={input}
          onChange={(e) => setInput(e.target.value)}
          onKeyPress={(e) => e.key === 'Enter' && sendMessage()}
        />
        <button onClick={sendMessage}>Send</button>
      </div>
    </div>
  );
}

export default InterviewChatbot;
